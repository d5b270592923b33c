"""The service catalog (SLM1): services in the customer's language with their service level
options, their lifecycle, the standard document templates, and where the process stands for each."""

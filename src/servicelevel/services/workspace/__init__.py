"""Each role's home: what needs attention now, the portfolio and the work list — read models
composed from the other contexts, which never import this one."""

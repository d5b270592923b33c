"""Agreement pages: the list and portfolio, an agreement and its versions, their lifecycle steps and
signatures, and the form editor of a draft."""

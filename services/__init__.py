"""The service layer: use cases of Yhdessä aika over the domain, through ports."""

"""oauthflow's second authorization server for tests: Django OAuth Toolkit on 127.0.0.1."""

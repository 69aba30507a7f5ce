"""The awards context: award rounds (评选), nominations, review, committee decisions within quota, grants."""

"""The demo campaign: a year of the seed's 争夺先锋旗、争当模范星 campaign, sent through the running services."""

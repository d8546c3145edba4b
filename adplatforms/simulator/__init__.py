"""Google Ads and Meta's Graph API faked as real HTTP servers on 127.0.0.1: the tests' platforms, the
`simulate_ad_platform` command's and the sync bench's. They bind the loopback address only."""

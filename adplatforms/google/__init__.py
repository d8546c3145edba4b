"""The Google Ads client over REST (docs/adplatforms.md, "Google Ads")."""

"""The "Connect Google Ads" and "Connect Meta" buttons: the providers' sign-in flows against Walker's own OAuth
client and Meta app (installation settings), the accounts the person reaches listed to pick from, and the picked
one saved as a connection (docs/adplatforms.md, "Connect buttons"). The manual form stays for other setups."""

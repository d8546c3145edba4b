"""The platforms' own recommendations as proposals (issue 51, point 2): each sync reads Google Ads' recommendations,
stores each once (`models`), files one proposal each through `request_approval` (`filing`), withdraws one Google no
longer offers; an approved one is applied on Google exactly once and read back (`executing`); a rejected one is
dismissed on Google (`settling`). Meta's are not read (docs/adplatforms.md says why)."""

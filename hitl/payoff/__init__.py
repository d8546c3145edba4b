"""Did it pay off (issue 51, point 5): an executed change of a synced campaign beside the campaign's figures of the
days before and after it, and whether it held (`measure`). Read on demand from the approvals, the synced daily
figures (agents) and the later changes of the campaign, which the app that records them registers (`held`): hitl
knows no ad platform."""

from hitl.payoff.measure import DAYS, HELD_DAYS, Payoff, measure, measure_one

__all__ = ["DAYS", "HELD_DAYS", "Payoff", "measure", "measure_one"]

"""Reading what people write to the built-in agents, in English and Spanish: one parser for every agent.

`understand` turns a message (and its conversation) into an `Understanding`: the language, what is asked
(an action type of the registry or a question family), the entity it is about (resolved against the
tenant's own names), and the slots (amount, time, keyword, ...). The words are data: the action types'
in agents.action_specs.phrasings, the questions' in agents.understanding.questions.
"""

from agents.understanding.parse import Understanding, understand

__all__ = ["Understanding", "understand"]

"""`makemessages` that also gathers `core.sentence.Word("context", "word")`, as Django's docs show for a keyword of
one's own (a word with its context, kept by a sentence and told in each reader's language)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Word:1c,2"]

"""The tenant's own names in a message: campaigns, content titles, keywords and audience segments.

Matched on folded words (case, accents, possessives and quotes do not matter), exactly, nearly (a typo:
rapidfuzz's ratio over a window as long as the name) or in part (most of a long name, said in a row). One
word of a name that no other name has ("retargeting" of "Site Retargeting", "lookbook") is only a candidate
(`Catalogue.one_word`): the parser takes it for the name when the rest of the message asks something of that
kind of row, since the same word is often a word of the trade too.
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import CharField, Value
from rapidfuzz import fuzz

from agents.models import AudienceSegment, Campaign, ContentPiece, KeywordRanking, TargetKeyword
from agents.reading import CAMPAIGNS, keep, kept
from agents.understanding.language import ENGLISH, SPANISH
from agents.understanding.text import vocabulary, words

KINDS = ("campaign", "content", "keyword", "segment")
# Words that may stand beside a name without being part of it ("the Summer Sale campaign").
FILLER = {
    "campaign": vocabulary("the my our campaign campaigns ad ads la el campana campanas anuncios de"),
    "content": vocabulary("the a an our my piece post article la el articulo publicacion"),
    "keyword": vocabulary("the keyword keywords term la palabra clave"),
    "segment": vocabulary("the a our my audience audiences segment segments la el audiencia segmento"),
}
TYPO_RATIO = 0.85  # "Sumer Sale", "Spring Clearence"
WORD_RATIO = 70  # and each word nearly right: "de retargeting" is not "Site Retargeting"
PARTIAL_SHARE = 0.6  # most of a long name, said in a row: "the trail running shoes guide"
ONE_WORD_QUALITY = 0.75  # below a typo and a part: only a candidate
ONE_WORD_LENGTH = 5  # "site", "sale" and "top" are too common to stand for a name


@dataclass(frozen=True)
class Mention:
    kind: str
    name: str
    quality: float  # 1.0 exact; below: a typo or part of the name
    start: int  # word positions in the message
    end: int

    @property
    def exact(self) -> bool:
        return self.quality >= 1.0

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass
class Catalogue:
    """The names a tenant's messages may mention, by kind; `rows` maps (kind, name) to the row."""

    names: dict[str, list[str]]
    rows: dict[tuple[str, str], object]
    _distinctive: dict[str, tuple[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, tenant) -> "Catalogue":
        """Two queries: the campaigns (their rows serve the Paid Ads agent too) and every other name in one
        UNION. Read once per message inside `agents.reading.one_reading` (routing and the engine share it)."""
        held = kept((cls, tenant.pk))
        if held is not None:
            return held
        campaigns = keep((CAMPAIGNS, tenant.pk), {c.pk: c for c in Campaign.objects.for_tenant(tenant)})
        rows = {("campaign", campaign.name): campaign for campaign in campaigns.values()}
        for kind, name in _other_names(tenant):
            rows.setdefault((kind, name.lower() if kind == "keyword" else name), name)
        names = {kind: [name for k, name in rows if k == kind] for kind in KINDS}
        return keep((cls, tenant.pk), cls(names, rows))

    def campaigns(self) -> list:
        return [row for (kind, _name), row in self.rows.items() if kind == "campaign"]

    def mentions(self, said: list[str]) -> list[Mention]:
        """Every name `said` (folded words) mentions, best first; one per name."""
        found, said = [], tuple(said)
        for kind, names in self.names.items():
            for name in names:
                if mention := _mention(kind, name, said):
                    found.append(mention)
        return sorted(found, key=lambda m: (-m.quality, -m.size, m.kind, m.name))

    def one_word(self, said: list[str], taken) -> list[Mention]:
        """Candidates: each word of `said`, outside the mentions `taken`, that is a distinctive word of exactly one
        campaign, post or audience name (keywords are named in full)."""
        if self._distinctive is None:
            self._distinctive = _distinctive_words(self.names)
        covered = {i for m in taken for i in range(m.start, m.end)}
        found = []
        for at, word in enumerate(said):
            if at not in covered and (owner := self._distinctive.get(word)):
                found.append(Mention(owner[0], owner[1], ONE_WORD_QUALITY, at, at + 1))
        return found


def _distinctive_words(names: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    """word -> (kind, name) for the words found in one name only, long enough and not common English or Spanish."""
    owners = Counter(word for kind_names in names.values() for name in kind_names for word in set(words(name)))
    distinctive = {}
    for kind, kind_names in names.items():
        if kind == "keyword":
            continue
        for name in kind_names:
            for word in _core(kind, name):
                common = word in ENGLISH or word in SPANISH or word.isdigit()
                if owners[word] == 1 and len(word) >= ONE_WORD_LENGTH and not common:
                    distinctive[word] = (kind, name)
    return distinctive


def _other_names(tenant):
    def named(queryset, field, kind):
        kinded = queryset.for_tenant(tenant).annotate(kind=Value(kind, output_field=CharField()))
        return kinded.values_list("kind", field).order_by()  # unordered parts: one plain SELECT … UNION …

    return (
        named(ContentPiece.objects, "title", "content")
        .union(
            named(KeywordRanking.objects, "keyword", "keyword"),
            named(TargetKeyword.objects, "keyword", "keyword"),
            named(AudienceSegment.objects, "name", "segment"),
        )
        .order_by()
    )


@lru_cache(maxsize=8192)
def _name_words(kind: str, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A name's folded words, all of them and its core (without the kind's filler words): folded once per
    process, not for every message that is read against the name."""
    full = tuple(words(name))
    return full, tuple(w for w in full if w not in FILLER[kind]) or full


def _core(kind: str, name: str) -> tuple[str, ...]:
    return _name_words(kind, name)[1]


def _mention(kind: str, name: str, said: tuple[str, ...]) -> Mention | None:
    full, core = _name_words(kind, name)
    for part in (full, core):
        if part and (at := _find(said, part)) is not None:
            return Mention(kind, name, 1.0, at, at + len(part))
    if not core:
        return None
    best = None
    target = " ".join(core)
    for start in range(len(said) - len(core) + 1):
        window = said[start : start + len(core)]
        if len(" ".join(window)) < 4 or any(fuzz.ratio(a, b) < WORD_RATIO for a, b in zip(window, core, strict=True)):
            continue
        ratio = fuzz.ratio(" ".join(window), target) / 100
        if ratio >= TYPO_RATIO and (best is None or ratio > best.quality):
            best = Mention(kind, name, min(ratio, 0.99), start, start + len(core))
    if best is not None:
        return best
    return _partial(kind, name, core, said) or (_partial(kind, name, full, said) if full != core else None)


def _partial(kind: str, name: str, core: tuple[str, ...], said: tuple[str, ...]) -> Mention | None:
    longest, at = 0, None
    for start in range(len(core)):
        for end in range(len(core), start + 1, -1):
            if end - start > longest and (found := _find(said, core[start:end])) is not None:
                longest, at = end - start, found
                break
    share = longest / len(core)
    if longest >= 2 and share >= PARTIAL_SHARE:
        return Mention(kind, name, 0.8 + 0.15 * share, at, at + longest)
    return None


def _find(said: tuple[str, ...], part: tuple[str, ...]) -> int | None:
    for start in range(len(said) - len(part) + 1):
        if said[start : start + len(part)] == part:
            return start
    return None

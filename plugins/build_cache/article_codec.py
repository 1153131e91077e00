"""Pelican's Articles as plain data, for the rows of its cache (rows.Codec).

An Article is a dict of attributes made by Pelican. Kept as plain data (an
attribute's value as it is when it is a string, a number or a container of
them; a tag naming how to make it again when it is a date, a tag, a person or
a section), a row loads in a quarter of the time of a pickle of the objects
(0.6 s against 2.4 s for 50,000 reports here): the pickle makes every
attribute through the machinery of objects, the codec only the dozen that are
not plain data. What each attribute holds is the same either way: an Article
the codec has no tag for is kept as a pickle.

The names of an Article's attributes and how each is kept (its shape) are the
same for most reports: a shape is written once per row, and worked out into a
plan for making Articles once per build.

A report is kept as (shape, its light values, the marshal of its other values):
a build makes the light attributes of every report at once (what it asks of
every report), and keeps the rest as those bytes until a page asks for one.
Bytes are a third of the objects they stand for (a string object costs some
50 bytes besides its text; a tag's name and slug would be copied in every report),
and the light values are not in them twice (they were, some 700 bytes a report).
"""

import datetime
import io
import marshal
import operator
import pickle
import sys
from zoneinfo import ZoneInfo

from pelican.utils import SafeDatetime

from content_schema import reader
from content_schema.fields import Credit

PLAIN = (str, int, float, bool, type(None))
CONTAINERS = (list, tuple, set, frozenset)
DATETIMES = {cls.__name__: cls for cls in (datetime.datetime, SafeDatetime, reader.EditionDatetime)}
WRAPPERS = {cls.__name__: cls for cls in (reader.Author, reader.Tag, reader.Category)}
BUILD_ONLY = ("settings", "_context")  # this build's own: never kept, given back on loading


def is_plain(value):
    kind = type(value)
    if kind in PLAIN:
        return True
    if kind in CONTAINERS:
        return all(map(is_plain, value))
    if kind is dict:
        return all(map(is_plain, value)) and all(map(is_plain, value.values()))
    return False


def tag_of(value):
    """How a value is kept: "" when it is plain data, else a tag its maker knows; None if it has none."""
    if is_plain(value):
        return ""
    kind = type(value)
    if kind.__name__ in DATETIMES and DATETIMES[kind.__name__] is kind:
        zone = value.tzinfo
        if zone is None:
            return f"date:{kind.__name__}:"
        return f"date:{kind.__name__}:{zone.key}" if type(zone) is ZoneInfo else None
    if kind.__name__ in WRAPPERS and WRAPPERS[kind.__name__] is kind:
        return f"wrapper:{kind.__name__}"
    if kind is ZoneInfo:
        return "zone"
    if kind is list and value:
        tags = {tag_of(element) for element in value}
        tag = tags.pop()
        if not tags and tag and tag.startswith("wrapper:"):
            return "wrappers:" + tag.partition(":")[2]
        if all(type(element) is Credit for element in value):
            return "people"
    return None


LIGHT_TEXT = "light"  # the tag of text kept light for this report only (ArticleCodec's light_if)
AS_IT_IS = ("", LIGHT_TEXT)  # the tags of values kept as they are (plain data)
DERIVED = "derived"  # the tag of a value not kept: made from the report's other values when asked for (ArticleCodec's `derived`)


def encode_value(tag, value):
    if tag in AS_IT_IS:
        return value
    if tag.startswith("date:"):
        return (*value.timetuple()[:6], value.microsecond)
    if tag.startswith("wrapper:"):
        return (value.name, value.slug)
    if tag.startswith("wrappers:"):
        return [(wrapper.name, wrapper.slug) for wrapper in value]
    if tag == "zone":
        return value.key
    if tag == "people":
        return [(credit.role, credit.name) for credit in value]
    raise ValueError(tag)


class Plan:
    """How to make the Articles of one shape again: worked out once a build per shape.

    A shape's values are kept in two parts: its light values (what a lazy class makes at once) and
    the rest (`heavy`), each a tuple in the shape's order."""

    def __init__(self, cls, keys, makers, credits, meta_plan, light, shared=frozenset(), derived=()):
        self.cls, self.keys, self.makers, self.credits, self.meta_plan = cls, keys, makers, credits, meta_plan
        self.names = frozenset(keys) | {"metadata"}
        # The values made from the others when asked for ({name: function of the report's attributes}), kept nowhere.
        self.derived = {key: derive for _, key, derive in derived}
        # The attributes a lazy class makes at once: their names, a getter of their plain data, the makers of those not plain.
        light_indexes = [index for index, _, _ in light]
        lights = set(light_indexes)
        self.light_keys = tuple(key for _, key, _ in light)
        self.light_values = getter(light_indexes)
        self.light_makers = [(key, make) for _, key, make in light if make is not None]
        # Of those, the plain ones its lazy class may hold for every report (ArticleCodec's `shared`), and
        # the others. A shape without every one of them is held by a class that holds none: what a class
        # holds, each of its reports has.
        self.shared = [(place, key) for place, (_, key, make) in enumerate(light) if key in shared and make is None]
        if len(self.shared) != len(shared):
            self.shared = []
        self.shared_values = getter([place for place, _ in self.shared])
        own = [place for place, (_, key, _) in enumerate(light) if (place, key) not in self.shared]
        self.own_keys = tuple(self.light_keys[place] for place in own)
        self.own_values = getter(own)
        self.light_places = list(zip(light_indexes, self.light_keys, strict=True))
        made_when_asked = {index for index, _, _ in derived}
        self.heavy_indexes = [index for index in range(len(keys)) if index not in lights and index not in made_when_asked]
        self.heavy_values = getter(self.heavy_indexes)
        self.heavy_makers = [(index, make) for index, make in makers if index not in lights]

    def state(self, light_values, heavy, meta_values):
        """Every attribute of an Article, made again from its plain data."""
        values = self.placed(heavy)
        for (index, _), value in zip(self.light_places, light_values, strict=True):
            values[index] = value
        for index, make in self.makers:
            values[index] = make(values[index])
        return self.assembled(values, meta_values)

    def rest(self, article, heavy, meta_values):
        """Every attribute of a lazy Article, its light ones as it has them (its own, or its class's)."""
        values = self.placed(heavy)
        for index, make in self.heavy_makers:
            values[index] = make(values[index])
        made = article.__dict__
        for index, key in self.light_places:
            values[index] = made[key] if key in made else getattr(article, key)
        return self.assembled(values, meta_values)

    def placed(self, heavy):
        """The shape's values, its heavy ones in place (the light ones left to the caller)."""
        values = [None] * len(self.keys)
        for index, value in zip(self.heavy_indexes, heavy, strict=True):
            values[index] = value
        return values

    def assembled(self, values, meta_values):
        state = dict(zip(self.keys, values, strict=True))
        for key, derive in self.derived.items():
            state[key] = derive(state)
        if self.credits:
            state["credits"] = list(zip(state["people"], state["authors"], strict=True))
        metadata, made = {}, iter(meta_values)
        for key, attribute, make in self.meta_plan:
            metadata[key] = state[attribute] if attribute is not None else make(next(made))
        state["metadata"] = metadata
        return state


def getter(indexes):
    """A function giving the values at these indexes of a tuple, as a tuple (operator.itemgetter gives
    a bare value for one index, and cannot be made for none)."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda values: tuple(values[index] for index in indexes)


def complete(article):
    """Make the attributes a lazily loaded Article was loaded without (those made already stay)."""
    kept = article.__dict__.pop("_kept", None)
    if kept is not None:
        for key, value in made_again(article, kept).items():
            article.__dict__.setdefault(key, value)


def made_again(article, kept):
    """Every attribute of a lazy Article from what it kept (its plan, and its bytes or where they are:
    rows.Heavy, its row's, with its key when that is not its relative path) and its light attributes."""
    plan, blob, *key = kept
    if type(blob) is not bytes:
        blob = blob.of(key[0] if key else article.__dict__["_relative_source_path"])
    return plan.rest(article, *marshal.loads(blob))


def read_kept(article):
    """Read now what a lazy Article keeps in its table (the heavy row of its folder, rows.Heavy), if it keeps it there."""
    kept = article.__dict__.get("_kept")
    if kept is not None and type(kept[1]) is not bytes:
        kept[1].read()


def whole_state(article):
    """Every attribute of an Article, a lazy one's too, without completing it (a completed Article
    keeps them all: the cache's save, which encodes every report a full build read, would hold the
    whole archive again). An attribute made already is taken as it is now unless it is the same as
    the one made again from its plain data (so that metadata naming it still names it). Metadata
    naming a light attribute names it as the report has it now: the light one is the only one kept."""
    state = article.__dict__
    kept = state.get("_kept")
    if kept is None:
        return state
    whole = made_again(article, kept)
    for key, value in state.items():
        if key == "_kept":
            continue
        made = whole.get(key, whole)
        if made is whole or type(made) is not type(value) or made != value:
            whole[key] = value
    return whole


class ArticleCodec:
    """encode/decode of (stamp, Article) for rows.Codec, for one build: the Articles it makes hold that
    build's settings and context, and its one Tag, Author or Category per name (`wrappers`, by
    (class, name); `make_wrapper(cls, name, slug)` makes one it lacks).

    `lazy` maps a class to the one made in its place when loading, with only the `light` attributes
    made at once (what a build asks of every report); `complete` makes the others when asked for.
    The codec makes subclasses of it for its build, which hold what every report loaded shares: the
    build's settings and context, and (for the reports that have them all) the `shared` attributes'
    values most reports have (the first it loads; a report with another keeps its own). A report's
    own attributes are then few enough for a small dict (20 or so keys: a dict of 26 is 832 bytes,
    of 21 some 450).
    `light_if` ({attribute: test of its text}) makes an attribute light in the reports whose text passes.
    The text of the `repeated` attributes is the same in many reports: it is kept interned, so that
    the reports loaded share one string (each is some 55 bytes).
    """

    def __init__(self, classes, settings, context, wrappers, make_wrapper, lazy=None, light=(), repeated=(), light_if=None, shared=(), derived=None, alike=()):
        self.classes = {cls.__name__: cls for cls in classes}
        self.settings, self.context, self.wrappers, self.make_wrapper = settings, context, wrappers, make_wrapper
        self.lazy_bases = {cls.__name__: made for cls, made in (lazy or {}).items()}

        def of_build(made):
            return type(made.__name__, (made,), {"settings": settings, "_context": context})

        # name → (this build's class holding the shared values, and one holding none of them)
        self.lazy = {name: (of_build(made), of_build(made)) for name, made in self.lazy_bases.items()}
        self.kept_as = {made: name for name, pair in self.lazy.items() for made in pair}
        self.shared = frozenset(shared)
        self.held = {pair[0]: {} for pair in self.lazy.values()}  # lazy class → {shared attribute: the value it holds}
        self.light = frozenset(light)
        self.light_if = light_if or {}  # attribute → a test of its text: light only where it passes (a summary with links)
        self.repeated = frozenset(repeated)
        self.derived = derived or {}  # attribute → a function of a report's attributes that makes it: not kept where it makes it
        self.shapes = {}  # one object per shape, so that marshal writes it once per row
        self.plans = {}
        self.decoding = {}  # id of a shape → decoding_of(shape)
        self.makers = {}
        self.named = {}  # class → {name: this build's wrapper}, as make_wrapper gave them: found without a (class, name) key
        self.alike_keys = frozenset(alike)  # light attributes whose dicts of text many reports have alike: shared (one_of_many)
        self.alike = {}  # the items of such a dict → the one dict of them the reports loaded share
        self.heavy_kept = {}  # (plan, rows.Heavy) → the one tuple of them the reports of that row and plan keep

    @staticmethod
    def apart(data):
        """A report's plain data split in two for rows.Codec: (what is loaded with its row, its
        other values' bytes, read when first asked for); a pickle is loaded whole."""
        stamp, article = data
        if article[0] == "pickle":
            return data, None
        shape, light_values, blob = article
        return (stamp, (shape, light_values)), blob

    def encode(self, row):
        stamp, article = row
        try:
            state = whole_state(article)
            # A report is stamped with its file's digest, which it keeps too: one string, which marshal keeps once.
            digest = state.get("source_digest")
            return (digest if digest == stamp else stamp), self.encode_article(type(article), state)
        except ValueError:  # an attribute the codec has no tag for
            complete(article)
            return stamp, ("pickle", self.pickle(self.as_read(article)))

    def as_read(self, article):
        """A light report as the class it was read as, with what its build's class held for it: a copy
        a pickle can keep (the build's classes are made for one build, and a pickle names a class)."""
        name = self.lazy_name(type(article))
        if name is None:
            return article
        cls, held = self.classes[name], vars(type(article))
        copy = cls.__new__(cls)
        copy.__dict__ = {**{key: held[key] for key in ("settings", "_context", *self.shared) if key in held}, **article.__dict__}
        return copy

    def lazy_name(self, cls):
        """The name of the class a light report of class cls was read as (its lazy class made in its place), or None."""
        return self.kept_as.get(cls) or next((name for name, base in self.lazy_bases.items() if issubclass(cls, base)), None)

    def lighten(self, article):
        """An Article read this build made as a build loads it from the cache: its light attributes kept
        (the objects they are), the others as their plain data, made again when one is asked for
        (`complete`). A full build holds every report until its pages are made: some 9 KB each read,
        half of that light. One the codec cannot describe, or of a class without a lazy one, stays whole."""
        cls = type(article)
        state = article.__dict__
        if cls.__name__ not in self.lazy or "_kept" in state:
            return
        try:
            shape, _, blob = self.encode_article(cls, state)
        except ValueError:
            return
        plan = self.plan_of(shape)
        lazy = self.lazy_class(shape[0], plan)
        light = {key: state[key] for key in plan.own_keys}
        if plan.shared:
            self.keep_unheld(lazy, light, ((key, state[key]) for _, key in plan.shared))
        light["_kept"] = (plan, blob)
        if state["settings"] is not self.settings or state["_context"] is not self.context:
            light["settings"], light["_context"] = state["settings"], state["_context"]
        article.__class__ = lazy
        article.__dict__ = light

    def lazy_class(self, name, plan):
        """This build's class made in place of class `name` for reports of this plan (one that holds the
        shared values if the plan has them all), or None if the class has no lazy one."""
        classes = self.lazy.get(name)
        return classes and (classes[0] if plan.shared else classes[1])

    def keep_unheld(self, lazy, state, pairs):
        """Put in a report's attributes (`state`) those of its shared ones (`pairs` of name and value)
        whose value its lazy class does not hold. The first value the class meets is the one it holds."""
        held = self.held[lazy]
        for key, value in pairs:
            kept = held.get(key, held)
            if kept is held:
                held[key] = value
                setattr(lazy, key, value)
            elif kept is not value and (type(kept) is not type(value) or kept != value):  # interned text: the same object
                state[key] = value

    def encode_article(self, cls, attributes):
        """(shape, light values, marshal of (the other values, meta values)) of an Article of class cls with these
        attributes; ValueError if the codec cannot describe it."""
        name = self.lazy_name(cls)
        if name is None:
            name = cls.__name__
            if self.classes.get(name) is not cls:
                raise ValueError(cls)
        state = {key: value for key, value in attributes.items() if key not in BUILD_ONLY}
        metadata = state.pop("metadata", None)
        if type(metadata) is not dict:
            raise ValueError("metadata")
        shape, values = [], []
        for key, value in state.items():
            if key in self.derived and made_alike(self.derived[key], state, value):
                shape.append((key, DERIVED))
                values.append(None)
                continue
            tag = "credits" if key == "credits" and is_credits(state, value) else tag_of(value)
            if tag is None:
                raise ValueError(key)
            if tag == "" and key in self.light_if and type(value) is str and self.light_if[key](value):
                tag = LIGHT_TEXT
            shape.append((key, tag))
            if key in self.repeated:
                value = interned(value)  # marshal keeps it so, and loads it as the one string
            values.append(None if tag == "credits" else encode_value(tag, value))
        meta_shape, meta_values = [], []
        for key, value in metadata.items():
            attribute = "override_" + key if key in ("save_as", "url") else ("_summary" if key == "summary" else key)
            if attribute in state and state[attribute] is value:
                meta_shape.append((key, attribute, None))
                continue
            tag = tag_of(value)
            if tag is None or tag == "credits":
                raise ValueError(key)
            meta_shape.append((key, None, tag))
            meta_values.append(encode_value(tag, value))
        whole_shape = (name, tuple(shape), tuple(meta_shape))
        whole_shape, values = self.shapes.setdefault(whole_shape, whole_shape), tuple(values)
        plan = self.plan_of(whole_shape)
        return whole_shape, plan.light_values(values), marshal.dumps((plan.heavy_values(values), tuple(meta_values)))

    def decode(self, data, name=None, heavy=None):
        """(stamp, Article) again; given its row's key (the report's file, relative to the content), a
        report whose relative path is that text holds the key's string, not one of its own. Given a
        heavy row (rows.Heavy: the row was split by `apart`), its other values are read from there
        when first asked for."""
        stamp, article = data
        if article[0] == "pickle":
            return stamp, self.unpickle(article[1])
        if heavy is None:
            shape, light_values, blob = article
        else:
            (shape, light_values), blob = article, heavy
        decoding = self.decoding.get(id(shape))
        if decoding is None or decoding[0] is not shape:
            decoding = self.decoding_of(shape)
        _, plan, lazy, held, whole = decoding
        if lazy is None:
            state = plan.state(light_values, *marshal.loads(blob if heavy is None else heavy.of(name)))
            state["settings"], state["_context"] = self.settings, self.context
            cls = plan.cls
        else:
            state = dict(zip(plan.own_keys, plan.own_values(light_values), strict=True))
            for key, make in plan.light_makers:
                state[key] = make(state[key])
            # Nearly every report has the very values its class holds (interned text, True): told at once.
            if plan.shared and not all(map(operator.is_, plan.shared_values(light_values), held)):
                self.keep_unheld(lazy, state, ((key, light_values[place]) for place, key in plan.shared))
                if not whole:
                    self.decoding_of(shape)  # the class holds more now (what it holds, it holds for good)
            if name is not None and state.get("_relative_source_path") == name:
                state["_relative_source_path"] = name
            if heavy is None:
                state["_kept"] = (plan, blob)
            elif state.get("_relative_source_path") is name:  # found again by its relative path: one tuple for its row and plan
                state["_kept"] = self.kept_with(plan, heavy)
            else:
                state["_kept"] = (plan, heavy, name)
            cls = lazy
        result = cls.__new__(cls)
        result.__dict__ = state
        return stamp, result

    def kept_with(self, plan, heavy):
        """The (plan, heavy row) a lazy report keeps, one for all the reports of its row and shape."""
        return self.heavy_kept.setdefault((plan, heavy), (plan, heavy))

    def decoding_of(self, shape):
        """(shape, plan, lazy class, the values it holds of the plan's shared attributes, whether it holds
        them all) of a shape as decoded now. A row's reports share their shape objects (marshal keeps them once a row), found
        by identity: a shape is hashed (some thirty pairs) once a row, not once a report. The shapes of
        a few rows are kept, and with them their identities."""
        if len(self.decoding) > 64:
            self.decoding.clear()
        plan = self.plan_of(shape)
        lazy = self.lazy_class(shape[0], plan)
        held = self.held.get(lazy, {})
        values = tuple(held.get(key, held) for _, key in plan.shared)
        decoding = self.decoding[id(shape)] = (shape, plan, lazy, values, not any(value is held for value in values))
        return decoding

    def plan_of(self, shape):
        plan = self.plans.get(shape)
        if plan is None:
            plan = self.plans[shape] = self.plan(shape)
        return plan

    def pickle(self, article):
        buffer = io.BytesIO()
        _BuildPickler(buffer, self).dump(article)
        return buffer.getvalue()

    def unpickle(self, blob):
        return _BuildUnpickler(io.BytesIO(blob), self).load()

    def persistent_id(self, value):
        """This build's own objects, named in a pickle instead of copied into it."""
        if value is self.settings:
            return "settings"
        if value is self.context:
            return "context"
        kind = type(value)
        if kind.__name__ in WRAPPERS and WRAPPERS[kind.__name__] is kind:
            return ("wrapper", kind.__name__, value.name, value.slug)
        return None

    def persistent_load(self, name):
        if name == "settings":
            return self.settings
        if name == "context":
            return self.context
        _, cls_name, wrapper_name, slug = name
        cls = WRAPPERS[cls_name]
        return self.wrappers.get((cls, wrapper_name)) or self.make_wrapper(cls, wrapper_name, slug)

    def plan(self, shape):
        cls_name, fields, meta_fields = shape
        keys = tuple(key for key, _ in fields)
        makers = [(index, self.maker(tag)) for index, (_, tag) in enumerate(fields) if tag not in (*AS_IT_IS, "credits", DERIVED)]
        credits = any(tag == "credits" for _, tag in fields)
        meta_plan = [(key, attribute, None if attribute is not None else self.maker(tag)) for key, attribute, tag in meta_fields]
        light = [
            (index, key, (self.one_of_many if key in self.alike_keys else None) if tag in AS_IT_IS else self.maker(tag))
            for index, (key, tag) in enumerate(fields)
            if (key in self.light or tag == LIGHT_TEXT) and tag not in ("credits", DERIVED)
        ]
        derived = [(index, key, self.derived[key]) for index, (key, tag) in enumerate(fields) if tag == DERIVED]
        return Plan(self.classes[cls_name], keys, makers, credits, meta_plan, light, self.shared, derived)

    def one_of_many(self, value):
        """A dict of text many reports have alike (an `alike` attribute: a report's roles, {person's slug:
        role}) as the one dict of those items the reports loaded share (184 bytes a report; nothing
        changes one in place). Its text is shared already: marshal loads interned text as one string."""
        if type(value) is not dict:
            return value
        return self.alike.setdefault(tuple(value.items()), value)

    def maker(self, tag):
        """The function that makes a value again from its plain data, by the value's tag."""
        if tag in self.makers:
            return self.makers[tag]
        kind, _, detail = tag.partition(":")
        if tag == "":
            make = _same
        elif kind == "date":
            cls_name, _, zone_name = detail.partition(":")
            make = shared_dates(DATETIMES[cls_name], ZoneInfo(zone_name) if zone_name else None)
        elif kind == "wrapper":
            cls, wrapper = WRAPPERS[detail], self.make_wrapper
            named = self.named.setdefault(cls, {})  # looked up first, at C speed
            make = lambda pair: named.get(pair[0]) or named.setdefault(pair[0], wrapper(cls, *pair))  # noqa: E731
        elif kind == "wrappers":
            cls, wrapper = WRAPPERS[detail], self.make_wrapper
            named = self.named.setdefault(cls, {})
            make = lambda pairs: [named.get(name) or named.setdefault(name, wrapper(cls, name, slug)) for name, slug in pairs]  # noqa: E731
        elif tag == "zone":
            make = ZoneInfo
        elif tag == "people":
            make = lambda pairs: [Credit(role, name) for role, name in pairs]  # noqa: E731
        else:
            raise ValueError(f"unknown tag {tag}")
        self.makers[tag] = make
        return make


def _same(value):
    return value


def shared_dates(cls, zone, most=4096):
    """The maker of dates of class cls in zone from their parts, one object per date: the reports of an
    edition share its date (a date is never changed, only replaced). Some 250 ns and 64 bytes a report
    at 200,000; at most `most` dates are remembered at once."""
    made = {}

    def make(parts):
        date = made.get(parts)
        if date is None:
            if len(made) >= most:
                made.clear()
            date = made[parts] = cls(*parts, tzinfo=zone)
        return date

    return make


def made_alike(derive, state, value):
    """Does `derive` make this value from a report's attributes (`state`), the same type and text?"""
    try:
        made = derive(state)
    except (KeyError, TypeError, ValueError):
        return False
    return type(made) is type(value) and made == value


def interned(value):
    """Text, or a dict of text (a report's roles: {person's slug: role}), as the one string of each text."""
    if type(value) is str:
        return sys.intern(value)
    if type(value) is dict and all(type(key) is str and type(text) is str for key, text in value.items()):
        return {sys.intern(key): sys.intern(text) for key, text in value.items()}
    return value


def is_credits(state, value):
    """Credits are kept as what they are made of: each (credit, person) is a report's people and authors, paired."""
    people, authors = state.get("people"), state.get("authors")
    if type(value) is not list or type(people) is not list or type(authors) is not list or len(value) != len(people) or len(people) != len(authors):
        return False
    return all(
        type(pair) is tuple and len(pair) == 2 and pair[0] is credit and pair[1] is author for pair, credit, author in zip(value, people, authors, strict=True)
    )


class _BuildPickler(pickle.Pickler):
    def __init__(self, file, codec):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.persistent_id = codec.persistent_id


class _BuildUnpickler(pickle.Unpickler):
    def __init__(self, file, codec):
        super().__init__(file)
        self.persistent_load = codec.persistent_load

"""Serializer fields worked out once per class, not once per instance.

DRF's ModelSerializer builds its fields from the model's every time an instance first reads them (field mapping,
labels, validators), and a nested serializer's fields are built again for each parent: for an approval's detail
with its decisions, history and linked approvals, nearly all of the answer's serializing (bench/RESULTS.md, "The
console's long lists and the API's serializers"). A serializer whose fields do not depend on the request or the
instance (no get_fields, build_field or get_extra_kwargs of its own that read them) can keep the fields it built
and hand each instance a copy, made the way DRF copies declared fields (Field.__deepcopy__: the field made again
from its arguments).
"""

import copy


class FieldsBuiltOnce:
    """Mix into a serializer, before its DRF base."""

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")  # the class's own: a subclass builds its own fields
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built  # two threads may both build: the same fields either way
        return copy.deepcopy(built)

"""The API's busiest serializers build their fields once per class (core.serializer_fields_once): each instance gets
its own copy, bound to it, and what it answers is what DRF's own building gives."""

import pytest
from rest_framework import serializers

from conversations.api import MessageSerializer
from core.serializer_fields_once import FieldsBuiltOnce
from hitl.api import ApprovalDetailSerializer, ApprovalSerializer, DecisionSerializer
from tests.factories import ConversationFactory, MessageFactory


@pytest.fixture
def builds(monkeypatch):
    """Each time DRF's ModelSerializer works out a class's fields from its model."""
    made = []
    build = serializers.ModelSerializer.get_fields

    def counted(self):
        made.append(type(self).__name__)
        return build(self)

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", counted)
    for serializer in (MessageSerializer, ApprovalSerializer, ApprovalDetailSerializer, DecisionSerializer):
        monkeypatch.delattr(serializer, "_fields_built", raising=False)  # as in a process that just started
    return made


def test_a_class_builds_its_fields_once(builds):
    for _ in range(3):
        assert "text" in MessageSerializer().fields
    assert builds == ["MessageSerializer"]


def test_a_subclass_builds_its_own(builds):
    assert "history" not in ApprovalSerializer().fields
    assert "history" in ApprovalDetailSerializer().fields
    assert sorted(builds) == ["ApprovalDetailSerializer", "ApprovalSerializer"]


def test_each_instance_has_its_own_fields_bound_to_it():
    first, second = MessageSerializer(), MessageSerializer()
    assert first.fields["text"] is not second.fields["text"]
    assert first.fields["text"].parent is first and second.fields["text"].parent is second


@pytest.mark.django_db
def test_the_representation_is_drfs_own():
    conversation = ConversationFactory()
    message = MessageFactory(conversation=conversation, text="How is the Summer Sale doing?")
    context = {"unmasked": {conversation.pk}}

    class AsDrfBuildsIt(MessageSerializer):
        def get_fields(self):
            return super(FieldsBuiltOnce, self).get_fields()  # DRF's ModelSerializer, every time

    assert MessageSerializer(message, context=context).data["text"]  # the class's fields built
    assert MessageSerializer(message, context=context).data == AsDrfBuildsIt(message, context=context).data

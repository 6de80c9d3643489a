"""participants.documents.ensure_indexes: the declared indexes, on a new store or an older one."""

import pytest

from empowersave import mongodb
from participants.documents import Participant, ensure_indexes


def _indexes(collection):
    return {
        tuple(map(tuple, info["key"])): bool(info.get("sparse"))
        for name, info in collection.index_information().items()
        if name != "_id_"
    }


@pytest.mark.django_db
def test_a_store_indexed_before_the_queue_keys_were_sparse_gets_them_sparse_and_nothing_else():
    collection = mongodb.collection_for(Participant)
    collection.create_index("review_order.probability")  # an earlier version's plain index
    collection.create_index("retired_field")  # no longer declared
    ensure_indexes()
    ensure_indexes()  # idempotent
    assert _indexes(collection) == {
        (("contact_id", 1),): False,
        (("engagements.eo_contact_id", 1),): False,
        (("review_order.probability", 1),): True,
        (("review_order.uncertain", 1),): True,
    }

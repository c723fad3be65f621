from tracker.batching import batches


def test_batches_cover_every_item_once_in_order_and_none_is_larger_than_asked():
    items = list(range(2_501))
    sliced = list(batches(items, 1_000))
    assert [len(s) for s in sliced] == [1_000, 1_000, 501]
    assert [item for s in sliced for item in s] == items
    assert list(batches([], 1_000)) == []

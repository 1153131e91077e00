"""The archive-scale benchmark (`invoke bench`): a synthetic archive of a daily, built and measured."""

"""Input validation and estimator-check helpers shared by all skmtlx estimators."""

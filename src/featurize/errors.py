"""Errors a user of the deck can cause, with messages that say what to do."""


class FeaturizeError(ValueError):
    """A user error: bad input to a featurize function. The message says how to fix it."""


class InvalidSmilesError(FeaturizeError):
    """The text given is not a SMILES string RDKit can turn into a molecule."""


class PotentialUnavailableError(FeaturizeError, ImportError):
    """The universal potential's optional extra (torch + SevenNet) is not installed."""

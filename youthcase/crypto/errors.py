"""Errors raised by the crypto layer; the service layer turns them into user messages."""


class CryptoError(Exception):
    """Base class for crypto failures."""


class TamperedDataError(CryptoError):
    """An authenticated ciphertext did not verify: edited, moved to another place, or wrong key."""


class WrongSecretError(CryptoError):
    """A key slot did not open: wrong password or recovery key (deliberately not saying which)."""


class WeakKdfParametersError(CryptoError):
    """Stored KDF parameters are outside the accepted range (downgrade or nonsense)."""


class NoKeyError(CryptoError):
    """The account holds no key for this record: it is not theirs to read."""


class UntrustedKeyError(TamperedDataError):
    """A published public key whose signature does not verify: someone replaced it."""

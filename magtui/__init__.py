"""magtui: a terminal clinic aid for magnesium-related twitching, cramps and weakness.

This module holds the version only, so that `import magtui` costs nothing.
"""

__version__ = "0.1.0"

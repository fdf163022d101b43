"""The screens of the game window, each a class in a small stack (see ``App``)."""
from .base import Screen, ScrollArea
from .ending import EndingScreen
from .front import BriefingScreen, SelectScreen, TitleScreen
from .menus import MessageScreen, PauseScreen, SavesScreen, SettingsScreen
from .play import EventPopup, OneToOnePicker, OutcomeScreen, PlayScreen

__all__ = [
    "Screen", "ScrollArea", "TitleScreen", "SelectScreen", "BriefingScreen", "PlayScreen", "OneToOnePicker",
    "EventPopup", "OutcomeScreen", "PauseScreen", "SettingsScreen", "SavesScreen", "MessageScreen", "EndingScreen",
]

"""Test doubles: a loopback fake of the RAM, Config and OSS APIs the functions call (tests only)."""

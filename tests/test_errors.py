"""One line per error, whatever the values in it hold."""

from hatch_aicontainer.config.messages import config_error
from hatch_aicontainer.core.errors import one_line


def test_lines_are_joined_and_the_spaces_inside_a_line_kept():
    assert one_line("connection refused\n    retry later\n\n") == "connection refused retry later"
    assert one_line('tag "a  b" is not valid') == 'tag "a  b" is not valid'


def test_a_settings_error_is_one_line_even_with_line_breaks_in_the_problem():
    message = str(config_error("tool.aicontainer.name", "a\nb", "not an image name\n(lowercase)", "app"))
    assert "\n" not in message and message == 'tool.aicontainer.name = "a\\nb": not an image name (lowercase); allowed: app'

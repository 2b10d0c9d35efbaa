"""Teams: who sees what. A team has a scope (topics, countries, sources); its members see the posts
and figures inside it (see :class:`veille.analytics.scope.Scope` for the union of several teams)."""

from veille.teams.models import Team, TeamSpec
from veille.teams.service import create_team, delete_team, get_team, list_teams, update_team

__all__ = ["Team", "TeamSpec", "create_team", "delete_team", "get_team", "list_teams", "update_team"]

"""Task queries and commands: list, claim, complete."""

from __future__ import annotations

from typing import Any

from engine.definitions import repository
from engine.facade.core import EngineCore
from engine.tasks import commands as task_commands
from engine.tasks import inbox
from engine.tasks import queries as task_queries
from engine.tasks.details import TaskDetails, task_details


class TasksFacade(EngineCore):
    def tasks_for(self, actor: str, *, case_ref: str | None = None) -> list[task_queries.TaskView]:
        with self.db.read() as session:
            return task_queries.visible_tasks(session, self._as(session, actor), case_ref=case_ref)

    def claim(self, task_id: str, *, actor: str) -> task_queries.TaskView:
        return self.run(task_commands.claim, actor=actor, task_id=task_id)

    def unclaim(self, task_id: str, *, actor: str) -> task_queries.TaskView:
        return self.run(task_commands.unclaim, actor=actor, task_id=task_id)

    def complete_task(
        self, task_id: str, *, actor: str, answers: dict[str, Any]
    ) -> task_commands.Completed:
        # By name, not as a resolved actor: the command reads who acts with the task.
        return self.run(task_commands.complete_as, task_id=task_id, username=actor, answers=answers)

    def reassign(
        self, task_id: str, *, actor: str, to_user: str, reason: str
    ) -> task_queries.TaskView:
        return self.run(
            task_commands.reassign, actor=actor, task_id=task_id, to_user=to_user, reason=reason
        )

    def process_names(self, *, actor: str) -> dict[str, str]:
        """Display names of the deployed pathways, by process key (any active user)."""
        with self.read() as session:
            self._as(session, actor)
            return {d.process_key: d.name for d in repository.latest_all(session)}

    def inbox(
        self,
        username: str,
        *,
        tab: str = "roles",
        filters: inbox.InboxFilters | None = None,
        cursor: str | None = None,
        page_size: int = inbox.PAGE_SIZE,
    ) -> inbox.InboxPage:
        names = self.process_names(actor=username)
        with self.read() as session:
            return inbox.inbox_page(
                session,
                self._as(session, username),
                self.clock.now(),
                tab=tab,
                filters=filters,
                cursor=cursor,
                names=names,
                page_size=page_size,
            )

    def task_details(self, task_id: str, *, actor: str) -> TaskDetails:
        return self.run(task_commands.view_task, actor=actor, task_id=task_id)

    def task_form(self, task_id: str, *, actor: str) -> TaskDetails:
        """The same content, read without an audit event, for a form just submitted.

        Parsing a submission needs the form, and a refused one is shown again with the answers
        the person just sent: what the request then does (complete, keep a draft, show the page
        again) is its one audited write, as through the API.
        """
        with self.read() as session:
            person = self._as(session, actor)
            row = task_commands.task_to_show(session, person, task_id)
            return task_details(session, self.services, row, person)

    def save_draft(self, task_id: str, *, actor: str, answers: dict[str, Any]) -> None:
        self.run(task_commands.save_task_draft, actor=actor, task_id=task_id, answers=answers)

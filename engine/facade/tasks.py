"""Task queries and commands: list, claim, complete."""

from __future__ import annotations

from typing import Any

from engine.audit.actions import AuditAction
from engine.definitions import repository
from engine.errors import InvalidRequest
from engine.facade.core import EngineCore
from engine.tasks import access, inbox
from engine.tasks import commands as task_commands
from engine.tasks import queries as task_queries
from engine.tasks.details import TaskDetails, task_details
from engine.tasks.drafts import save_draft
from engine.tasks.models import TaskStatus


class TasksFacade(EngineCore):
    def tasks_for(self, actor: str, *, case_ref: str | None = None) -> list[task_queries.TaskView]:
        with self.db.read() as session:
            return task_queries.visible_tasks(session, self._as(session, actor), case_ref=case_ref)

    def claim(self, task_id: str, *, actor: str):
        return self.write(
            lambda s: task_queries.view_of(
                s, task_commands.claim(s, self.services, task_id=task_id, actor=self._as(s, actor))
            )
        )

    def unclaim(self, task_id: str, *, actor: str):
        return self.write(
            lambda s: task_queries.view_of(
                s,
                task_commands.unclaim(s, self.services, task_id=task_id, actor=self._as(s, actor)),
            )
        )

    def complete_task(
        self, task_id: str, *, actor: str, answers: dict[str, Any]
    ) -> task_commands.Completed:
        return self.write(
            lambda s: task_commands.complete(
                s, self.services, task_id=task_id, actor=self._as(s, actor), answers=answers
            )
        )

    def reassign(self, task_id: str, *, actor: str, to_user: str, reason: str):
        return self.write(
            lambda s: task_queries.view_of(
                s,
                task_commands.reassign(
                    s,
                    self.services,
                    task_id=task_id,
                    actor=self._as(s, actor),
                    to_user=to_user,
                    reason=reason,
                ),
            )
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
        """A task page's content; opening it is a look at case data, so it is audited."""

        def command(session):
            row, person = self._task_to_show(session, task_id, actor)
            task_commands.record_about_task(
                session, self.services, row, person, AuditAction.CASE_VIEWED
            )
            return task_details(session, self.services, row, person)

        return self.write(command)

    def task_form(self, task_id: str, *, actor: str) -> TaskDetails:
        """The same content, read without an audit event, for a form just submitted.

        Parsing a submission needs the form, and a refused one is shown again with the answers
        the person just sent: what the request then does (complete, keep a draft, show the page
        again) is its one audited write, as through the API.
        """
        with self.read() as session:
            row, person = self._task_to_show(session, task_id, actor)
            return task_details(session, self.services, row, person)

    def _task_to_show(self, session, task_id: str, actor: str):
        person = self._as(session, actor)
        row = access.actionable_task_by_id(session, person, task_id)
        if not access.may_see(person, row):  # was in their role, done by someone else
            raise task_commands.not_open(row)
        return row, person

    def save_draft(self, task_id: str, *, actor: str, answers: dict[str, Any]) -> None:
        def command(session):
            person = self._as(session, actor)
            row = access.access_task_by_id(session, person, task_id)
            if row.state != TaskStatus.READY:
                raise InvalidRequest(f"task '{row.title}' is no longer open; nothing to draft")
            save_draft(
                session,
                self.keyring,
                task_id=task_id,
                username=person.username,
                answers=answers,
                now=self.clock.now(),
            )
            # Typed answers about a person were kept: who and when is audited, what is not
            # (the draft itself stays sealed for its author).
            task_commands.record_about_task(
                session, self.services, row, person, AuditAction.TASK_DRAFT_SAVED
            )

        self.write(command)

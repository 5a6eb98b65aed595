"""Errors of the workflow engine and its services; messages are in the user's language."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class: the operation was refused and nothing was changed."""


class DefinitionError(WorkflowError):
    """The BPMN document cannot run: malformed, unsafe, or a lane names no department."""


class ScriptError(WorkflowError):
    """An expression or script task was refused by the sandbox or failed while running."""


class DataError(WorkflowError):
    """Input the engine cannot take: data that is not plain JSON, a name reserved for helpers, a bad date."""


class WorkItemConflict(WorkflowError):
    """Another officer got there first (claimed or completed the item)."""


class WorkItemForbidden(WorkflowError):
    """The actor holds no role that lets them handle this work item."""


class ProcessStateError(WorkflowError):
    """The instance is not in a state that allows the operation (completed, cancelled, suspended)."""

"""Write-offs (核销): applications with their evidence by reason, the approval chain, and the
written-off case kept open to recovery (账销案存). See ``models``, ``reasons``, ``operations``
and ``queries``."""

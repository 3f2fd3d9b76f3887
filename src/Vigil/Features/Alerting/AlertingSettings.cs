namespace Vigil.Features.Alerting;

/// <summary>The <c>alerting:</c> section of vigil.yaml: where alerts come from (rule files, the seeds' short-form rules, monitor rules, inbound integrations).</summary>
public sealed class AlertingSettings;

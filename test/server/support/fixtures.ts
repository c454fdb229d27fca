/**
 * A small but complete workspace for protocol tests: a tenant deployment with an input schema, a pool,
 * hosts, dependencies and sources, its two activity types, and a host inventory.
 */
export const DEPLOY = `{
  "type": "tenant.deploy",
  "description": "Deploys a tenant",
  "schema": {
    "type": "object",
    "required": ["cell"],
    "properties": {
      "cell": { "type": "string", "description": "The cell to deploy into" },
      "baseUrl": { "type": "string" }
    }
  },
  "input": { "region": "eu" },
  "pools": { "slots": 2 },
  "output": { "url": "ingress.endpoint" },
  "activities": [
    {
      "id": "stage",
      "type": "tenant.stage",
      "inputs": ["cell", "baseUrl"]
    },
    {
      "id": "ingress",
      "type": "tenant.ingress",
      "dependsOn": ["stage"],
      "inputs": [
        "cell",
        { "source": "stage.configPath", "target": "config" }
      ],
      "acquires": { "slots": 1 }
    },
    {
      "id": "notify",
      "type": "tenant.stage",
      "dependsOn": ["ingress"],
      "hosts": ["web1"],
      "inputs": [{ "value": "x", "target": "cell" }]
    },
    {
      "id": "cleanup",
      "type": "tenant.stage",
      "when": "always",
      "dependsOn": "notify",
      "inputs": ["cell"]
    }
  ]
}
`;

export const STAGE_TYPE = `{
  "type": "tenant.stage",
  "provider": "shell",
  "description": "Stages the tenant configuration",
  "config": { "command": "sh", "args": ["-c", "echo staged"] },
  "inputSchema": {
    "type": "object",
    "required": ["cell"],
    "properties": {
      "cell": { "type": "string", "description": "Target cell" },
      "baseUrl": { "type": "string" }
    }
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "configPath": { "type": "string", "description": "Where the configuration was written" },
      "version": { "type": "integer" }
    }
  }
}
`;

export const INGRESS_TYPE = `{
  "type": "tenant.ingress",
  "provider": "http",
  "description": "Applies ingress routing",
  "config": { "url": "https://ingress.example.com/routes" },
  "inputSchema": {
    "type": "object",
    "required": ["config", "cell"],
    "properties": {
      "cell": { "type": "string" },
      "config": { "type": "string", "description": "The staged configuration" },
      "timeout": { "type": "integer" }
    }
  },
  "outputSchema": {
    "openAPIV3Schema": {
      "type": "object",
      "properties": { "endpoint": { "type": "string", "description": "The public URL" } }
    }
  }
}
`;

export const HOSTS = `{
  "hosts": {
    "web1": { "host": "10.0.0.1", "username": "deploy", "agent": true },
    "web2": { "host": "10.0.0.2", "port": 2222, "username": "deploy", "agent": true }
  }
}
`;

export const WORKSPACE: Record<string, string> = {
  'deploy.orch.json': DEPLOY,
  'types/stage.activity.json': STAGE_TYPE,
  'types/ingress.activity.json': INGRESS_TYPE,
  'orch.hosts.json': HOSTS,
};

/** "Set Secret..." and "Delete Secret...": the values `${secret:NAME}` resolves to in runs from the editor. */
import * as vscode from 'vscode';
import { SECRET_NAME, type OrchSecrets } from '../secrets/secretStorage';

/** Arguments (name, value) make it scriptable (tests, keybindings); without them it asks. */
export async function setSecretCommand(secrets: OrchSecrets, name?: unknown, value?: unknown): Promise<boolean> {
  let secretName = typeof name === 'string' ? name : undefined;
  if (secretName === undefined) {
    secretName = await vscode.window.showInputBox({
      title: 'Set Secret',
      prompt: 'Secret name, as referenced by ${secret:NAME} in definitions and inputs',
      placeHolder: 'DEPLOY_TOKEN',
      ignoreFocusOut: true,
      validateInput: (text) => (SECRET_NAME.test(text) ? undefined : 'Letters, digits, _ . - (not starting with a digit or a dot)'),
    });
    if (secretName === undefined) return false;
  } else if (!SECRET_NAME.test(secretName)) {
    throw new Error(`'${secretName}' is not a valid secret name`);
  }
  let secretValue = typeof value === 'string' ? value : undefined;
  if (secretValue === undefined) {
    secretValue = await vscode.window.showInputBox({
      title: `Set Secret ${secretName}`,
      prompt: 'The value is kept in VS Code\'s secret storage and never written to journals, logs or the graph',
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.length ? undefined : 'A secret cannot be empty'),
    });
    if (secretValue === undefined) return false;
  }
  await secrets.set(secretName, secretValue);
  if (typeof value !== 'string') void vscode.window.showInformationMessage(`Secret ${secretName} saved.`);
  return true;
}

export async function deleteSecretCommand(secrets: OrchSecrets, name?: unknown): Promise<boolean> {
  let secretName = typeof name === 'string' ? name : undefined;
  if (secretName === undefined) {
    const names = secrets.names();
    if (!names.length) {
      void vscode.window.showInformationMessage('No secrets are stored for orchestrations. Set one with "Orchestration: Set Secret...".');
      return false;
    }
    secretName = await vscode.window.showQuickPick(names, { title: 'Delete Secret', placeHolder: 'The secret to delete' });
    if (secretName === undefined) return false;
  }
  const existed = await secrets.delete(secretName);
  if (typeof name !== 'string') void vscode.window.showInformationMessage(existed ? `Secret ${secretName} deleted.` : `Secret ${secretName} was not set.`);
  return existed;
}

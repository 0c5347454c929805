/** A task as the runtime knows it. */
export interface TaskDefinition {
  /** Unique name; workers find the task by it. */
  readonly name: string;
  /** The function a cloud thread runs. */
  readonly fn: (arg: any) => unknown;
  /** File URL of the defining module: a worker imports it to register the task. */
  readonly module: string;
  /** How many times a failed thread of this task is run again. */
  readonly retries: number;
}

const tasks = new Map<string, TaskDefinition>();

/**
 * Registers a task. Defining the same name twice in one module (a module evaluated again) keeps
 * the newest; the same name from two different modules is an error.
 */
export function registerTask(def: TaskDefinition): void {
  const existing = tasks.get(def.name);
  if (existing && existing.module !== def.module) {
    throw new Error(`task '${def.name}' is already defined in ${existing.module}; task names must be unique`);
  }
  tasks.set(def.name, def);
}

/** The task of that name, if its module has been imported here. */
export function findTask(name: string): TaskDefinition | undefined {
  return tasks.get(name);
}

/** How many members or entries `describe` shows of a collection (the rest are counted, not shown). */
export const DESCRIBE_LIMIT = 20;

export type Group = {
  id: number;
  name: string;
  memberCount: number;
  pendingCount: number;
  createdAt: string;
  updatedAt: string;
};

export type Member = { id: number; firstName: string; lastName: string; status: string };

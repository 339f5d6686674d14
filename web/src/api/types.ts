// The shapes of the API documents the portal reads (SciCat v3 output). Only the fields the
// portal uses are named; every document may carry more, shown as they are on detail pages.
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Doc = { [k: string]: Json };

export interface Lifecycle {
  archivable?: boolean;
  retrievable?: boolean;
  isOnCentralDisk?: boolean;
  archiveStatusMessage?: string;
  retrieveStatusMessage?: string;
  archiveRetentionTime?: string;
  dateOfPublishing?: string;
  [k: string]: Json | undefined;
}

export interface Dataset {
  pid: string;
  datasetName?: string;
  description?: string;
  type: string;
  owner?: string;
  ownerGroup: string;
  accessGroups?: string[];
  sharedWith?: string[];
  isPublished?: boolean;
  creationTime?: string;
  creationLocation?: string;
  keywords?: string[];
  size?: number;
  numberOfFiles?: number;
  proposalId?: string;
  proposalIds?: string[];
  sampleId?: string;
  sampleIds?: string[];
  instrumentId?: string;
  instrumentIds?: string[];
  inputDatasets?: string[];
  scientificMetadata?: { [k: string]: Json };
  scientificMetadataValid?: boolean;
  validationStatus?: string;
  datasetlifecycle?: Lifecycle;
  [k: string]: Json | undefined | Lifecycle;
}

export interface DataFile {
  path: string;
  size: number;
  time?: string;
  chk?: string;
}

export interface OrigDatablock {
  _id: string;
  chkAlg?: string;
  dataFileList: DataFile[];
}

export interface Attachment {
  id?: string;
  aid?: string;
  caption?: string;
  thumbnail?: string;
}

// A job in the v4 view (statusCode, statusMessage, jobParams.datasetList).
export interface Job {
  id: string;
  type: string;
  statusCode: string;
  statusMessage?: string;
  ownerUser?: string;
  ownerGroup?: string;
  createdAt?: string;
  updatedAt?: string;
  queuePosition?: number;
  estimatedCompletionTime?: string;
  jobParams?: { datasetList?: { pid: string; files?: string[] }[]; [k: string]: Json | undefined };
  jobResultObject?: { [k: string]: Json };
  statusHistory?: { statusCode: string; statusMessage?: string; time: string }[];
}

export interface FacetBucket {
  _id: Json;
  count: number;
}
export type FacetResult = { all?: { totalSets: number }[] } & { [facet: string]: FacetBucket[] | undefined };

export interface WhoAmI {
  _id?: string;
  username?: string;
  email?: string;
  currentGroups?: string[];
}

// A published-data record in the v4 shape (docs/publishing.md): `metadata` holds DataCite's
// attributes; `registration` the latest change sent (or waiting to be sent) to DataCite.
export interface PublishedRecord {
  doi: string;
  title?: string;
  abstract?: string;
  datasetPids?: string[];
  status: "private" | "public" | "registered" | "amended" | string;
  createdBy?: string;
  createdAt?: string;
  registeredTime?: string;
  numberOfFiles?: number;
  sizeOfArchive?: number;
  metadata?: {
    creators?: { name: string; [k: string]: unknown }[];
    publisher?: { name?: string; [k: string]: unknown };
    publicationYear?: number;
    resourceType?: string;
    [k: string]: unknown;
  };
  registration?: { state?: string; change?: string; attempts?: number; lastError?: string | null; nextAttemptAt?: string; sentAt?: string; waitingFor?: string };
  [k: string]: unknown;
}

// GET /api/v4/publisheddata/formpopulate?pid=: a proposal for a new record from one dataset.
export interface PublishForm {
  title?: string;
  abstract?: string;
  creator?: string[];
  publisher?: string;
  publicationYear?: number;
  resourceType?: string;
  pidArray?: string[];
}

// Where a dataset came from and what was made of it (docs/lineage.md), on its page: the
// lineage three levels up and down as lists by level — inputs the reader may not see appear as
// "a dataset you have no access to", never with their metadata — its versions, and the whole
// graph as W3C PROV-JSON to download.
import { api, enc, withToken } from "../api/client";
import { describe } from "../components/error_message";
import { day } from "../components/format";
import { useApi } from "../components/use_api";
import { datasetUrl } from "../router";

interface LineageNode {
  pid: string;
  level: number;
  hidden?: boolean;
  datasetName?: string;
  type?: string;
  creationTime?: string;
  versionNumber?: number;
  usedSoftware?: string[];
}
interface LineageEdge { from: string; to: string; relation?: string }
interface LineageGraph { nodes: LineageNode[]; edges: LineageEdge[]; truncated: boolean }
interface Version { pid: string; versionNumber: number; datasetName?: string; creationTime?: string }

const DEPTH = 3;

function NodeLine({ node, revision }: { node: LineageNode; revision: boolean }) {
  if (node.hidden) return <li class="hidden-node">A dataset you have no access to (<code>{node.pid}</code>)</li>;
  return (
    <li>
      <a href={datasetUrl(node.pid)}>{node.datasetName || node.pid}</a>
      <span class="muted">
        {" "}{node.type}{node.creationTime ? `, ${day(node.creationTime)}` : ""}
        {node.usedSoftware?.length ? `, made with ${node.usedSoftware.join(", ")}` : ""}
        {revision ? ", an earlier or later version" : ""}
      </span>
    </li>
  );
}

function Levels({ graph, up }: { graph: LineageGraph; up: boolean }) {
  const revisions = new Set(graph.edges.filter((e) => e.relation === "previousVersion").flatMap((e) => [e.from, e.to]));
  const levels = [...new Set(graph.nodes.map((n) => n.level).filter((l) => (up ? l < 0 : l > 0)))].sort((a, b) => Math.abs(a) - Math.abs(b));
  if (!levels.length) return <p>{up ? "Made from no other dataset." : "Nothing you can see was made from it."}</p>;
  return (
    <ul class="lineage-levels">
      {levels.map((level) => (
        <li key={level}>
          <span class="level-label">{Math.abs(level) === 1 ? (up ? "Made directly from" : "Used directly by") : `${Math.abs(level)} steps ${up ? "up" : "down"}`}</span>
          <ul>
            {graph.nodes.filter((n) => n.level === level).map((n) => <NodeLine key={n.pid} node={n} revision={revisions.has(n.pid)} />)}
          </ul>
        </li>
      ))}
    </ul>
  );
}

export function Lineage({ pid }: { pid: string }) {
  const graph = useApi((signal) => api<LineageGraph>(`/api/v3/datasets/${enc(pid)}/lineage?direction=both&depth=${DEPTH}`, { signal }), [pid]);
  const versions = useApi((signal) => api<Version[]>(`/api/v3/datasets/${enc(pid)}/versions`, { signal }), [pid]);
  if (graph.error) return <p>{describe(graph.error, "dataset")}</p>;
  if (!graph.data) return <p class="loading">Loading the lineage…</p>;
  return (
    <>
      <h3>Made from</h3>
      <Levels graph={graph.data} up={true} />
      <h3>Made into</h3>
      <Levels graph={graph.data} up={false} />
      {graph.data.truncated && <p class="muted">The lineage is larger than shown.</p>}
      {(versions.data?.length ?? 0) > 1 && (
        <>
          <h3>Versions</h3>
          <ol class="versions">
            {versions.data!.map((v) => (
              <li key={v.pid}>
                {v.pid === pid ? <strong>Version {v.versionNumber} (this one)</strong> : <a href={datasetUrl(v.pid)}>Version {v.versionNumber}</a>}
                <span class="muted"> {v.datasetName}{v.creationTime ? `, ${day(v.creationTime)}` : ""}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      <p><a href={withToken(`/api/v3/datasets/${enc(pid)}/lineage?direction=both&depth=50&format=prov`)} download={`lineage.prov.json`}>
        The whole lineage as W3C PROV-JSON</a></p>
    </>
  );
}

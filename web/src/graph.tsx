/*
 * A state machine as a graph: one node per state (nested Parallel branches and Map item
 * processors flattened in, entered from their parent state and leaving to its Next), laid
 * out top to bottom by dagre, coloured by each state's status.
 */
import dagre from '@dagrejs/dagre';
import { Background, Controls, ReactFlow, applyNodeChanges, type Edge, type Node, type NodeChange } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { StateStatus } from './history';

interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
  Branches?: AslMachine[];
  Iterator?: AslMachine;
  ItemProcessor?: AslMachine;
}
interface AslMachine {
  StartAt?: string;
  States?: Record<string, AslState>;
}

const NODE_WIDTH = 190;
const NODE_HEIGHT = 44;

interface Built {
  nodes: { id: string; type: string }[];
  edges: { from: string; to: string; label?: string; dashed?: boolean }[];
}

/** Adds `machine`'s states; returns its entry state and the states that end it. */
function add(machine: AslMachine, built: Built): { start: string | undefined; ends: string[] } {
  const ends: string[] = [];
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    built.nodes.push({ id: name, type: state.Type ?? '?' });
    const targets: { to: string; label?: string; dashed?: boolean }[] = [];
    if (state.Next) targets.push({ to: state.Next });
    if (state.Default) targets.push({ to: state.Default, label: 'default' });
    for (const choice of state.Choices ?? []) if (choice.Next) targets.push({ to: choice.Next });
    for (const c of state.Catch ?? []) if (c.Next) targets.push({ to: c.Next, label: 'catch', dashed: true });
    const children = [...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : state.Iterator ? [state.Iterator] : [])];
    if (children.length > 0) {
      // The children run between entering the state and leaving it.
      for (const child of children) {
        const inner = add(child, built);
        if (inner.start) built.edges.push({ from: name, to: inner.start, dashed: true });
        for (const end of inner.ends) for (const t of targets.filter((t) => !t.dashed)) built.edges.push({ from: end, to: t.to });
        if (targets.filter((t) => !t.dashed).length === 0) ends.push(...inner.ends);
      }
      for (const t of targets.filter((t) => t.dashed)) built.edges.push({ from: name, ...t });
    } else {
      for (const t of targets) built.edges.push({ from: name, ...t });
    }
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') if (children.length === 0) ends.push(name);
  }
  return { start: machine.StartAt, ends };
}

export function layout(definition: unknown): { nodes: Node[]; edges: Edge[] } {
  const built: Built = { nodes: [], edges: [] };
  add((definition ?? {}) as AslMachine, built);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 45 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of built.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of built.edges) if (g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const nodes: Node[] = built.nodes.map((n) => {
    const p = g.node(n.id);
    return { id: n.id, position: { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 }, data: { label: n.id, type: n.type }, style: { width: NODE_WIDTH } };
  });
  const edges: Edge[] = built.edges.map((e, i) => ({
    id: `e${i}`,
    source: e.from,
    target: e.to,
    ...(e.label ? { label: e.label } : {}),
    ...(e.dashed ? { style: { strokeDasharray: '4 3' } } : {}),
  }));
  return { nodes, edges };
}

export interface MapProgress {
  done: number;
  failed: number;
  running: number;
  total: number;
}

function MapLabel({ name, progress }: { name: string; progress: MapProgress }) {
  const percent = progress.total === 0 ? 0 : ((progress.done + progress.failed) / progress.total) * 100;
  return (
    <div className="map-label">
      <div>{name}</div>
      <div className="map-counts">{`${progress.done} done · ${progress.failed} failed · ${progress.running} running`}</div>
      <div className="mini-progress" aria-hidden="true">
        <div style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

export function StateGraph({ definition, statuses, maps, selected, onSelect }: { definition: unknown; statuses?: Map<string, StateStatus>; maps?: Map<string, MapProgress>; selected?: string | undefined; onSelect?: (state: string) => void }) {
  // Keyed by the definition's text, not the object: a live reload fetches an equal definition
  // anew, and a new layout makes React Flow measure (and hide) every node again.
  const text = JSON.stringify(definition);
  const base = useMemo(() => layout(JSON.parse(text) as unknown), [text]);
  const look = (id: string) => {
    const status = statuses?.get(id) ?? 'not-started';
    const progress = maps?.get(id);
    const counts = progress ? `${progress.done}/${progress.failed}/${progress.running}/${progress.total}` : '';
    return { status, progress, key: `${id}:${status}:${counts}:${selected === id ? 1 : 0}` };
  };
  const looks = base.nodes.map((n) => look(n.id).key).join('|');
  // The nodes are state that React Flow's changes go into (onNodesChange), so each keeps the
  // size React Flow measured. A node given anew without it is hidden and measured again: with
  // every live reload doing that, nodes flickered and never held still long enough to click.
  const [nodes, setNodes] = useState<Node[]>([]);
  const onNodesChange = useCallback((changes: NodeChange[]) => setNodes((current) => applyNodeChanges(changes, current)), []);
  useEffect(() => {
    setNodes((current) => {
      const shown = new Map(current.map((n) => [n.id, n]));
      return base.nodes.map((n) => {
        const { status, progress, key } = look(n.id);
        const old = shown.get(n.id);
        // Unchanged: the same object, which React Flow then leaves alone.
        if (old && old.data.look === key && old.position === n.position) return old;
        return {
          ...n,
          ...(old?.measured ? { measured: old.measured } : {}),
          className: `state-node state-${status}${selected === n.id ? ' selected' : ''}`,
          data: { look: key, label: progress ? <MapLabel name={n.id} progress={progress} /> : n.id },
          ariaLabel: `${n.id}: ${status}${progress ? `, ${progress.done} of ${progress.total} iterations done, ${progress.failed} failed, ${progress.running} running` : ''}`,
          // Read by tests and assistive tech alike.
          domAttributes: { 'data-status': status, 'data-state': n.id },
        } as Node;
      });
    });
    // `looks` stands for statuses, maps and selected: they are new objects on every render.
  }, [base, looks]);
  return (
    <div className="graph" data-testid="state-graph">
      <ReactFlow
        nodes={nodes}
        onNodesChange={onNodesChange}
        edges={base.edges}
        fitView
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_event, node) => onSelect?.(node.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

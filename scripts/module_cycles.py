#!/usr/bin/env python3
"""Prints the import cycles between the modules of app/src (a module is a file, or a folder's
mod.rs; a reference is any `crate::a::b` path or `super::x` path in its code, tests excluded).
Exits 1 when there is a cycle, so scripts/test.sh keeps the layers one way."""
import os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'app', 'src')


def module_of(path):
    rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if rel[-1] in ('mod', 'lib'):
        rel = rel[:-1]
    return tuple(rel)


def without_tests(text):
    # Unit tests may reach anywhere; the layering is about the code that ships.
    cut = re.search(r'^#\[cfg\(test\)\]\s*\nmod tests', text, re.M)
    return text[:cut.start()] if cut else text


modules = {}
for folder, _, files in os.walk(ROOT):
    for name in files:
        if name.endswith('.rs'):
            path = os.path.join(folder, name)
            modules[module_of(path)] = without_tests(open(path).read())
known = set(modules)

# A folder's mod.rs may re-export its children's items (`pub use cache::{StatusCache, ..}`): a
# path to such an item depends on the child that defines it.
reexported = {}
for module, text in modules.items():
    for vis, child, names in re.findall(
            r'^(pub(?:\([a-z]+\))?) use ([a-z_][a-z0-9_]*)::(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*);',
            text, re.M):
        if module + (child,) in known:
            for name in re.findall(r'[A-Za-z_][A-Za-z0-9_]*', names):
                reexported[(module, name)] = module + (child,)


def resolve(parts):
    """The module a path names: the longest known prefix, or the child behind a re-export."""
    for n in range(len(parts), 0, -1):
        if tuple(parts[:n]) in known:
            found = tuple(parts[:n])
            if n < len(parts):
                return reexported.get((found, parts[n]), found)
            return found
    return None


edges = {m: set() for m in modules}
for module, text in modules.items():
    for path in re.findall(r'\bcrate((?:::[A-Za-z_][A-Za-z0-9_]*)+)', text):
        target = resolve(path.strip(':').split('::'))
        if target and target != module and target[:len(module)] != module:
            edges[module].add(target)
    for path in re.findall(r'\bsuper((?:::[A-Za-z_][A-Za-z0-9_]*|::\{[^}]*\})+)', text):
        parent = module[:-1]  # `super` of a.rs and of a/mod.rs alike is the folder above
        heads = path.strip(':')
        groups = re.findall(r'\{([^}]*)\}', heads)
        names = [heads.split('::{')[0]] if not groups else [
            heads.split('::{')[0] + '::' + g.strip().split('::')[0] for g in groups[0].split(',') if g.strip()]
        for name in names:
            parts = [p for p in name.split('::') if p]
            target = resolve(list(parent) + parts)
            if target and target != module and target[:len(module)] != module and module[:len(target)] != target:
                edges[module].add(target)

# Tarjan's strongly connected components: each with more than one module is a cycle.
index, low, stack, on, found = {}, {}, [], set(), []
counter = [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop(); on.discard(w); component.append(w)
            if w == v:
                break
        if len(component) > 1:
            found.append(component)


for v in modules:
    if v not in index:
        visit(v)
for component in found:
    names = sorted('::'.join(m) for m in component)
    print('cycle:', ', '.join(names))
    for m in sorted(component):
        inside = sorted('::'.join(t) for t in edges[m] if t in component)
        print('   ', '::'.join(m), '->', ', '.join(inside))
if found:
    sys.exit(1)
print(f'no import cycle between the {len(modules)} modules of app/src')

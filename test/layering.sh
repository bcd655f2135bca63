#!/usr/bin/env bash
# Check the layering of src/README.md on a build: every call from one
# folder into another (undefined symbols of its objects defined by the
# other's) must be one the table there allows.  Run after make.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import glob, subprocess, sys

def layer(o):
    p = o.split('/')
    if len(p) == 2:
        return 'entry'                      # src/siddhi.c
    d, f = p[1], p[-1][:-2]
    if d == 'runtime' and len(p) == 4:
        return 'op:' + p[2]
    if d == 'runtime':
        return 'services' if f in ('batch', 'usercode') else 'driver'
    if d == 'catalog':
        return 'entry' if f == 'deploy' else 'catalog'
    if d == 'sqlfuncs':
        return 'entry'
    if d == 'connectors':
        # option specs, mappers and templates: pure, the analyzer's too
        if f in ('spec', 'sink_template', 'file_regex') or f.startswith('map'):
            return 'connspec'
        return 'connectors'
    return d

below = {
    'common': set(),
    'parser': {'common'},
    'catalog': {'common'},
    'connspec': {'parser', 'catalog', 'common'},
    'analyzer': {'parser', 'catalog', 'common', 'connspec'},
    'ipc': {'catalog', 'common'},
    'services': {'catalog', 'common'},
    'ops': {'services', 'catalog', 'common'},
    'driver': {'ops', 'services', 'ipc', 'catalog', 'common', 'analyzer'},
    'connectors': {'driver', 'services', 'ipc', 'analyzer', 'parser',
                   'catalog', 'common', 'connspec'},
    'worker': {'connectors', 'connspec', 'driver', 'ops', 'services', 'ipc',
               'analyzer', 'parser', 'catalog', 'common'},
}
sideways = {('op:window', 'op:select'), ('op:join', 'op:window'),
            ('op:output', 'op:window')}
# known, documented in src/README.md
exceptions = set()
# the shared memory hooks add up every subsystem's share, as _PG_init does
for sym in ('siddhi_sink_stats_shmem_size', 'siddhi_sink_stats_shmem_init',
            'siddhi_source_stats_shmem_size', 'siddhi_source_stats_shmem_init',
            'siddhi_http_shmem_size', 'siddhi_http_shmem_init'):
    exceptions.add(('ipc', 'connectors', sym))

objs = sorted(glob.glob('src/*.o') + glob.glob('src/*/*.o') +
              glob.glob('src/runtime/*/*.o'))
if not objs:
    sys.exit('no objects: run make first')
defs = {}
for o in objs:
    out = subprocess.run(['nm', '-g', '--defined-only', o],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3:
            defs[f[2]] = (layer(o), o)
bad = 0
for o in objs:
    src = layer(o)
    out = subprocess.run(['nm', '-u', o], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        sym = line.split()[-1]
        if sym not in defs:
            continue
        dst, where = defs[sym]
        if dst == src or src == 'entry' or (src.startswith('op:') and
                                            dst.startswith('op:') and
                                            (src, dst) in sideways):
            continue
        if dst == 'entry' and where == 'src/siddhi.o':
            continue  # GUC variables and siddhi_in_engine: any layer
        key = 'ops' if src.startswith('op:') else src
        kdst = 'ops' if dst.startswith('op:') else dst
        if kdst in below.get(key, set()) or (src, dst, sym) in exceptions:
            continue
        print(f'{o} calls {sym} in {where}: {src} may not call {dst}')
        bad += 1
print(f'layering: {len(objs)} objects, {bad} call(s) against src/README.md')
sys.exit(1 if bad else 0)
PY

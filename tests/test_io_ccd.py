"""CCD look-ups (toolkit.io.ccd): the per-code disk cache of the ``chem_comp`` records."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from toolkit.io import ccd


def test_component_info_disk_cache_equals_the_ccd_and_survives_damage():
    code = "JC9"
    direct = ccd._info_from_ccd(code)
    path = ccd.component_cache_path(code, ".info.json")
    path.unlink(missing_ok=True)
    ccd._cached_info.cache_clear()
    assert ccd.component_info("jc9") == direct  # read from the CCD index, then stored
    assert path.is_file() and json.loads(path.read_text()) == direct
    assert direct["synonyms"] == "Esketamine" and direct["type"].upper() == "NON-POLYMER"
    path.write_text('{"code": "JC9", "name":')  # a damaged entry is ignored and rewritten
    ccd._cached_info.cache_clear()
    assert ccd.component_info(code) == direct and json.loads(path.read_text()) == direct
    # an absent code is remembered as absent
    absent = ccd.component_cache_path("ZQ8", ".info.json")
    absent.unlink(missing_ok=True)
    ccd._cached_info.cache_clear()
    assert ccd.component_info("ZQ8") is None and json.loads(absent.read_text()) == {"absent": True}
    ccd._cached_info.cache_clear()
    assert ccd.component_info("ZQ8") is None
    # a caller changing the record it got does not change the cache
    got = ccd.component_info(code)
    got["name"] = "changed"
    assert ccd.component_info(code)["name"] == direct["name"]
    assert ccd.component_cache_path("../x", ".info.json") is None  # odd codes never become paths


def test_cached_component_info_needs_no_ccd_read_in_a_new_process(fresh):
    """Once a code is cached, a new process answers without loading biotite's CCD (or biotite.structure)."""
    code = "from toolkit.io.ccd import component_info as c; import sys; "
    ask = code + "print(c('JC9')['name'], c('NAG')['type'], c('ZQ8'), 'biotite.structure' in sys.modules)"
    env = dict(os.environ)  # with the fresh, empty cache
    assert env["NMDA_TOOLKIT_CACHE"] == str(fresh)
    first = subprocess.run([sys.executable, "-c", ask], capture_output=True, text=True, env=env, check=True)
    again = subprocess.run([sys.executable, "-c", ask], capture_output=True, text=True, env=env, check=True)
    name = ccd._info_from_ccd("JC9")["name"]
    assert first.stdout.split()[-1] == "True"  # the first process read the CCD ...
    assert again.stdout.strip() == first.stdout.strip()[: -len("True")] + "False"  # ... the next did not
    assert again.stdout.startswith(name)

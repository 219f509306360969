"""Fingerprints of what print material shows, so that kept files are remade after an edit
within a run (an office's phone, a representative's published phone, a household's head,
the organisation's people): one md5 over the printed columns, computed in the database."""

from __future__ import annotations

from psycopg2.extensions import connection

from gridsvc.db.frames import read_frame

PEOPLE = """(SELECT string_agg(concat_ws(',', p.name, p.phone, r.role, r.level, r.area_code,
    r.start_date, r.end_date), ';' ORDER BY r.id)
    FROM person_role r JOIN person p ON p.id = r.person_id)"""

SECTION = f"""
WITH s AS (SELECT id, name, community_id FROM grid_section WHERE code = %(code)s)
SELECT md5(concat_ws('|',
  (SELECT concat_ws(',', s.name, c.code, c.name, c.office_phone, (SELECT name FROM street_info))
   FROM s JOIN community c ON c.id = s.community_id),
  (SELECT string_agg(concat_ws(',', g.code, g.name, md5(g.geom::text)), ';' ORDER BY g.code)
   FROM resident_group g JOIN s ON g.section_id = s.id),
  (SELECT string_agg(concat_ws(',', r.code, r.name, r.phone, r.publish_phone, r.role, r.active,
   r.group_id, r.geom::text), ';' ORDER BY r.id)
   FROM representative r JOIN resident_group g ON g.id = r.group_id JOIN s ON g.section_id = s.id),
  (SELECT string_agg(concat_ws(',', h.code, h.head_name, h.address, h.group_id, h.geom::text),
   ';' ORDER BY h.id) FROM household h JOIN s ON h.section_id = s.id),
  {PEOPLE})) AS fingerprint"""

STREET = """
SELECT md5(concat_ws('|', (SELECT name FROM street_info),
  (SELECT string_agg(concat_ws(',', s.code, s.name, c.code, c.name, md5(s.geom::text)), ';'
   ORDER BY s.code) FROM grid_section s JOIN community c ON c.id = s.community_id),
  (SELECT count(*) FROM household), (SELECT count(*) FROM representative WHERE active)))
  AS fingerprint"""


def section(conn: connection, code: str) -> str:
    """The fingerprint of section `code`'s printed inputs (its people, homes and office)."""
    return str(read_frame(conn, SECTION, {"code": code})["fingerprint"][0])


def street(conn: connection) -> str:
    """The fingerprint of the overview's inputs (street, sections, communities, counts)."""
    return str(read_frame(conn, STREET)["fingerprint"][0])

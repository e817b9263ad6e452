"""The licence register: intermediaries (arrangers, placing agents, custodians) with their SFC CE numbers,
their licences (regulated activity types 1, 4, 6, 9 or a virtual-asset trading platform licence, the
conditions, the validity) and the rule an arranger must meet for an application to be approved
(`services.arranger_licence_for`). A daily re-check (`services.licences_recheck`) raises an alert when
the licence an open offering's arranger relies on lapses or is suspended. Models are in `models`
(part of the compliance app)."""

"""Reading what planners bring: street folders, registers and boundaries; validated at the edge."""

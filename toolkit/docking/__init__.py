"""Docking with AutoDock Vina (optional extra ``docking``)."""

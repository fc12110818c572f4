"""A class on one laptop: JupyterHub serving every learner their own copy of the lessons.

Why here: a room of old laptops, Chromebooks and tablets on weak Wi-Fi can still follow the
lessons if one machine serves them in the browser. `lessons classroom` starts that hub
(docs/classroom.md). The modules, each with one job:

    config.py      ClassroomConfig and the hub's settings for a class of 30 (pure data)
    network.py     the machine's LAN address and free ports (no traffic sent)
    learners.py    learner names, their Unix accounts and homes, their copy of the lessons
    kernels.py     the learner's kernel manager: one running lesson kernel at a time
    hubconfig.py   applies the settings inside JupyterHub (spawner and pre-spawn hook)
    hub.py         starts and stops the hub (start_hub -> RunningHub), logs a learner in
    address.py     the address as a QR code (terminal and PNG) and a self-signed certificate
    tls.py         HTTPS: a small TLS forwarder in front of the proxy (which has no TLS)
    progress.py    the class progress table from the learners' progress records
    serve.py       `lessons classroom`: start, tell the teacher what to give learners, stop
    rehearse.py    a class rehearsed on loopback with N simulated learners (issue 14.5)

Nothing here imports JupyterHub at import time, so the package imports without the
`classroom` extra:

>>> import lessons.classroom.config
>>> lessons.classroom.config.ClassroomConfig().max_learners
30
"""

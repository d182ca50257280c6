"""Pages of teachers, students and school admins, one module per audience
(``teacher``, ``students``, ``assignments``, ``student``, ``school_admin``;
``common`` holds what the teacher's pages share). Views are thin: they ask
``permissions`` who may see what, ``selectors`` what to show and
``services`` to change things."""

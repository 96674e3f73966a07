;;; tracesim-dap.el --- tracesim's debug adapter in dap-mode  -*- lexical-binding: t -*-

;; Load it (emacs -l editors/emacs/tracesim-dap.el), then M-x dap-debug and pick
;; "tracesim: the seed's line" or "tracesim: a trace".  It runs `tracesim debug -i=dap'
;; over stdio ($TRACESIM, else tracesim on PATH).  Needs dap-mode 0.7 or later.
;;
;; Without qemuSrc the adapter serves each source by reference (the model's text), which
;; dap-mode 0.7 does not fetch: this file writes such sources under
;; `tracesim-dap-source-directory' and opens them there, so frames show their line and
;; breakpoints can be set in them.  M-x tracesim-dap-find-source opens one by name (say
;; hw/core/numa.c); M-x tracesim-dap-step-back and tracesim-dap-reverse-continue go back.

;;; Code:

(unless (locate-library "dap-mode")
  ;; emacs -Q skips site-lisp: activate Debian's elpa-dap-mode (and its dependencies)
  (require 'package)
  (when (file-directory-p "/usr/share/emacs/site-lisp/elpa")
    (add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa"))
  (if (fboundp 'package-activate-all) (package-activate-all) (package-initialize)))

(require 'dap-mode)
(require 'dap-ui)  ; dap-mode's exception filters and the locals and REPL buffers

(dap-mode 1)
(dap-ui-mode 1)  ; the current line and the breakpoints marked in the source
;; Debian 12's lsp-treemacs 0.4 reads a variable its treemacs 2.8 lacks: without it the
;; locals, breakpoints and sessions views fail ("void: treemacs-text-scale")
(defvar treemacs-text-scale nil)
;; tracesim's own messages (where the modelled path ends) are console output
(add-to-list 'dap-output-buffer-filter "console")
;; a terminal has no fringe for the breakpoint icons: underline their lines
(face-spec-set 'dap-ui-verified-breakpoint-face '((((type tty)) :underline t) (t nil)))
(face-spec-set 'dap-ui-pending-breakpoint-face '((((type tty)) :underline t) (t nil)))

(defgroup tracesim-dap nil
  "tracesim's replay of QEMU's board init in dap-mode."
  :group 'dap-mode)

(defcustom tracesim-dap-program (or (getenv "TRACESIM") "tracesim")
  "The tracesim executable."
  :type 'string)

(defcustom tracesim-dap-source-directory
  (expand-file-name "tracesim-src" temporary-file-directory)
  "Where sources served by reference (the model's text) are written to be opened."
  :type 'directory)

(defconst tracesim-dap-seed-args
  ["-machine" "q35" "-m" "1024" "-smp" "cpus=4"
   "-numa" "node,cpus=0-1" "-numa" "node,cpus=2-3"]
  "QEMU's arguments of the seed scenario.")

(defun tracesim-dap--provider (conf)
  "Complete launch CONF: the adapter's command, cwd, an absolute trace path."
  (let ((cwd (expand-file-name (or (plist-get conf :cwd) default-directory))))
    (setq conf (plist-put conf :cwd cwd))
    (unless (plist-get conf :dap-server-path)
      (setq conf (plist-put conf :dap-server-path
                            (list tracesim-dap-program "debug" "-i=dap"))))
    (let ((trace (plist-get conf :trace)))
      (when (stringp trace)
        (setq trace (expand-file-name trace cwd))
        (when (and (not (file-exists-p trace)) (not noninteractive))
          (setq trace (expand-file-name (read-file-name "Trace file: " cwd nil t))))
        (setq conf (plist-put conf :trace trace))))
    conf))

(dap-register-debug-provider "tracesim" #'tracesim-dap--provider)

(dap-register-debug-template
 "tracesim: the seed's line"
 (list :type "tracesim" :request "launch" :name "tracesim: the seed's line"
       :args tracesim-dap-seed-args :stopOnEntry t))

(dap-register-debug-template
 "tracesim: a trace"
 (list :type "tracesim" :request "launch" :name "tracesim: a trace"
       :trace "traces/dist-sym3.jsonl" :stopOnEntry t))

(defun tracesim-dap--session-p (session)
  (and session
       (equal (plist-get (dap--debug-session-launch-args session) :type) "tracesim")))

;; dap-mode 0.7 sends the exception filters (the catchpoints) only after some source
;; breakpoint: with none, send them anyway
(defun tracesim-dap--configure (orig session breakpoints callback)
  (if (and (tracesim-dap--session-p session) (zerop (hash-table-count breakpoints)))
      (dap--set-exception-breakpoints session callback)
    (funcall orig session breakpoints callback)))

(advice-add 'dap--configure-breakpoints :around #'tracesim-dap--configure)

;;; Sources served by reference

(defvar tracesim-dap--written (make-hash-table :test #'eq :weakness 'key)
  "Session -> the paths whose model text it wrote (or asked for).")

(defun tracesim-dap--local-file (path)
  (expand-file-name (string-remove-prefix "/" path) tracesim-dap-source-directory))

(defun tracesim-dap--lines (file positions)
  "The line of each of POSITIONS in FILE's text."
  (with-temp-buffer
    (insert-file-contents file)
    (mapcar (lambda (pos) (line-number-at-pos (min (max pos 1) (point-max)))) positions)))

(defun tracesim-dap--write (session path content)
  "Write CONTENT as PATH's model text; return the local file.  Another run's text
differs: breakpoints in the file keep their lines."
  (let* ((file (tracesim-dap--local-file path))
         (buffer (find-buffer-visiting file))
         (points (gethash file (dap--get-breakpoints))))
    (unless (and (file-exists-p file)
                 (equal content (with-temp-buffer (insert-file-contents file) (buffer-string))))
      (let ((lines (and points (file-exists-p file)
                        (tracesim-dap--lines file (mapcar #'dap-breakpoint-get-point points)))))
        (make-directory (file-name-directory file) t)
        (let ((coding-system-for-write 'utf-8-unix))
          (write-region content nil file nil 'silent))
        (when buffer
          (with-current-buffer buffer (revert-buffer t t t)))
        (when lines
          (with-temp-buffer
            (insert content)
            (cl-mapc (lambda (point line)
                       (goto-char (point-min))
                       (forward-line (1- line))
                       (plist-put point :point (point))
                       (when-let ((marker (plist-get point :marker)))
                         (when (marker-buffer marker) (set-marker marker (point)))))
                     points lines))
          (dap--persist-breakpoints (dap--get-breakpoints))
          (when buffer
            (with-current-buffer buffer (run-hooks 'dap-breakpoints-changed-hook))))))
    (cl-pushnew path (gethash session tracesim-dap--written) :test #'equal)
    file))

(defun tracesim-dap--frame-path (orig stack-frame)
  "Around `dap--get-path-for-frame': a source by reference is its written copy; the
first time, fetch it and go to the frame again when it is there."
  (let* ((session (dap--cur-session))
         (source (gethash "source" stack-frame))
         (ref (and source (gethash "sourceReference" source)))
         (path (and source (gethash "path" source))))
    (if (not (and (tracesim-dap--session-p session) (integerp ref) (> ref 0) path))
        (funcall orig stack-frame)
      (if (member path (gethash session tracesim-dap--written))
          (let ((file (tracesim-dap--local-file path)))
            (and (file-exists-p file) file))  ; else asked for already
        (push path (gethash session tracesim-dap--written))
        (dap--send-message
         (dap--make-request "source" (list :source (list :path path :sourceReference ref)
                                           :sourceReference ref))
         (dap--resp-handler
          (lambda (result)
            (tracesim-dap--write session path (gethash "content" (gethash "body" result)))
            (message "%s: the model's text (no qemuSrc given)" path)
            (when (eq (dap--debug-session-active-frame session) stack-frame)
              (dap--go-to-stack-frame session stack-frame))))
         session)
        nil))))

(advice-add 'dap--get-path-for-frame :around #'tracesim-dap--frame-path)

(defun tracesim-dap-find-source (path)
  "Open PATH (as the trace names it, e.g. hw/core/numa.c) as the model has it."
  (interactive (list (read-string "Source (e.g. hw/core/numa.c): " "hw/core/numa.c")))
  (let* ((session (dap--cur-active-session-or-die))
         (body (dap-request session "source" :source (list :path path))))
    (find-file (tracesim-dap--write session path (gethash "content" body)))))

;;; Backwards (dap-mode 0.7 has no command for these)

(defun tracesim-dap-step-back (session)
  "Step back one line (DAP stepBack: gdb's reverse-next)."
  (interactive (list (dap--cur-session-or-die)))
  (dap--step "stepBack" session))

(defun tracesim-dap-reverse-continue (session)
  "Run backwards to the previous breakpoint (DAP reverseContinue)."
  (interactive (list (dap--cur-session-or-die)))
  (dap--step "reverseContinue" session))

(provide 'tracesim-dap)
;;; tracesim-dap.el ends here

;;; drive-seed.el --- dap-mode drives tracesim on the seed scenario, in batch  -*- lexical-binding: t -*-

;; emacs --batch -Q -l editors/emacs/tracesim-dap.el -l tests/emacs/drive-seed.el
;; As a user would: start the seed template (it stops on entry), open hw/core/numa.c,
;; add a breakpoint on line 399, continue, read the frames and ram_size, step, step
;; back, run to the end.  Prints "RESULT key: value" lines; "FAIL ..." and exit 1 on error.

(require 'cl-lib)

(defvar drive-exit-code nil "exitCode of the adapter's exited event.")
(defvar drive-session nil)

(defun drive-out (key value)
  (princ (format "RESULT %s: %s\n" key value)))

(defun drive-fail (text)
  (princ (format "FAIL %s\n" text))
  (kill-emacs 1))

(run-at-time 50 nil (lambda () (drive-fail "no end within 50 s")))
(setq debug-on-error nil)

(advice-add 'dap--on-event :before
            (lambda (_session event)
              (when (equal (gethash "event" event) "exited")
                (setq drive-exit-code (gethash "exitCode" (gethash "body" event))))))

(defun drive-wait (what pred &optional seconds)
  "Process the adapter's messages until PRED holds."
  (let ((deadline (+ (float-time) (or seconds 20))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall pred) (drive-fail (format "timed out waiting for %s" what)))))

(defun drive-frame ()
  (dap--debug-session-active-frame drive-session))

(defun drive-ended ()
  (not (dap--session-running drive-session)))

(defun drive-wait-stop (what)
  "Until stopped with the frame's source shown (or the session's end)."
  (drive-wait what (lambda ()
                     (or (drive-ended)
                         (let ((path (and (drive-frame) (dap--get-path-for-frame (drive-frame)))))
                           (and path (equal path (buffer-file-name
                                                  (window-buffer (selected-window))))))))))

(defun drive-where ()
  "function:line of the stop, and where the editor shows it (file:line)."
  (let ((frame (drive-frame)))
    (format "%s:%s shown %s:%s" (gethash "name" frame) (gethash "line" frame)
            (file-relative-name (buffer-file-name (window-buffer (selected-window)))
                                tracesim-dap-source-directory)
            (with-selected-window (selected-window) (line-number-at-pos)))))

(setq tracesim-dap-source-directory (make-temp-file "tracesim-src" t))

;; start: M-x dap-debug RET tracesim: the seed's line
(dap-debug (copy-tree (cl-rest (assoc "tracesim: the seed's line"
                                      dap-debug-template-configurations))))
(setq drive-session (dap--cur-session))
(drive-wait-stop "the entry stop")
(drive-out "entry" (drive-where))

;; M-x tracesim-dap-find-source RET hw/core/numa.c, M-g g 399, M-x dap-breakpoint-add
(tracesim-dap-find-source "hw/core/numa.c")
(goto-char (point-min))
(forward-line 398)
(let ((file buffer-file-name))
  (dap-breakpoint-add)
  (drive-wait "the breakpoint's answer"
              (lambda () (gethash file (dap--debug-session-breakpoints drive-session))))
  (let ((bp (car (gethash file (dap--debug-session-breakpoints drive-session)))))
    (drive-out "breakpoint" (format "verified=%s line=%s" (gethash "verified" bp)
                                    (gethash "line" bp)))))

;; M-x dap-continue
(dap-continue drive-session (dap--debug-session-thread-id drive-session))
(drive-wait-stop "the breakpoint at numa.c:399")
(drive-out "stop" (drive-where))
(let* ((thread (dap--debug-session-thread-id drive-session))
       (frames (gethash thread (dap--debug-session-thread-stack-frames drive-session))))
  (drive-out "frames" (mapconcat (lambda (f) (format "%s:%s" (gethash "name" f) (gethash "line" f)))
                                 frames " < ")))

;; what M-x dap-eval, the REPL (dap-ui-repl) and the locals view (dap-ui-locals) ask
(let ((frame-id (gethash "id" (drive-frame))))
  (drive-out "eval ram_size"
             (gethash "result" (dap-request drive-session "evaluate" :expression "ram_size"
                                            :frameId frame-id :context "hover")))
  (drive-out "repl p ram_size"
             (gethash "result" (dap-request drive-session "evaluate" :expression "p ram_size"
                                            :frameId frame-id :context "repl")))
  (dolist (scope (gethash "scopes" (dap-request drive-session "scopes" :frameId frame-id)))
    (let ((vars (gethash "variables" (dap-request drive-session "variables"
                                                  :variablesReference
                                                  (gethash "variablesReference" scope)))))
      (drive-out (format "scope %s" (gethash "name" scope))
                 (mapconcat (lambda (v) (format "%s=%s" (gethash "name" v) (gethash "value" v)))
                            (seq-take vars 4) " ")))))

;; M-x dap-next, then M-x tracesim-dap-step-back
(dap-next drive-session)
(drive-wait-stop "the step")
(drive-out "next" (drive-where))
(tracesim-dap-step-back drive-session)
(drive-wait-stop "the step back")
(drive-out "step back" (drive-where))

;; M-x dap-continue until the end
(let ((hits 0))
  (while (not (drive-ended))
    (cl-incf hits)
    (when (> hits 20) (drive-fail "no end after 20 continues"))
    (dap-continue drive-session (dap--debug-session-thread-id drive-session))
    (drive-wait-stop "the next stop or the end")))
(drive-wait "the exited event" (lambda () drive-exit-code))
(drive-out "exit" drive-exit-code)
(drive-out "output" (with-current-buffer (dap--debug-session-output-buffer drive-session)
                      (replace-regexp-in-string "\n" " | " (buffer-string))))
(drive-out "adapter stderr" (with-current-buffer (get-buffer-create
                                                  (format "*%s stderr*" (dap--debug-session-name
                                                                         drive-session)))
                              (replace-regexp-in-string "\n" " | " (buffer-string))))
(kill-emacs 0)

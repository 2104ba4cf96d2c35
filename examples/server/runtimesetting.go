package main

// runtimeSetting decides a Go runtime setting that both a flag and an
// environment variable can give (GOGC, GOMAXPROCS): the flag's value when
// it was given, else none (set is false: keep what the runtime read from
// env) when env is set, else def.
func runtimeSetting(flagValue int, flagGiven bool, env string, def int) (value int, set bool) {
	switch {
	case flagGiven:
		return flagValue, true
	case env != "":
		return 0, false
	}
	return def, true
}

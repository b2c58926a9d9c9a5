// Probe: load @actions/core (which loads @actions/http-client and its undici) and read an input.
import { getInput } from '@actions/core';

getInput('role-to-assume');
